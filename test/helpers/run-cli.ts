// Runs the CLI from source in a child process: `node test/helpers/run-cli.ts agent --config x.yaml`.
import { main } from '../../app/cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
