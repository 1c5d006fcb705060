import express from 'express';
import { describe, expect, it } from 'vitest';
import { expressRouteAhead } from '../../../instrumentation/http/express-route-ahead.ts';

/** An Express app as services lay them out: middleware, routes, routers mounted with and without params. */
function app() {
  const root = express();
  root.use((_req, _res, next) => next());
  root.get('/users/:id', (_req, res) => res.end());
  root.post('/orders', (_req, res) => res.end());
  root.all('/any', (_req, res) => res.end());
  const api = express.Router();
  api.get('/items/:item', (_req, res) => res.end());
  const v2 = express.Router();
  v2.get('/status', (_req, res) => res.end());
  api.use('/v2', v2);
  root.use('/api', api);
  const tenant = express.Router({ mergeParams: true });
  tenant.get('/report', (_req, res) => res.end());
  root.use('/t/:tenant', tenant);
  root.get(/^\/regex\/.*$/, (_req, res) => res.end());
  root.get('/users/:id/friends', (_req, res) => res.end());
  const loop = express.Router();
  loop.use('/loop', loop);
  root.use('/deep', loop);
  return root;
}

describe('expressRouteAhead: the route Express will take, before it routes', () => {
  const service = app();
  it.each([
    ['GET', '/users/42', '/users/:id'],
    ['GET', '/users/42?x=1', '/users/:id'],
    ['HEAD', '/users/42', '/users/:id'],
    ['GET', '/users/42/', '/users/:id'],
    ['POST', '/users/42', undefined],
    ['POST', '/orders', '/orders'],
    ['HEAD', '/orders', undefined],
    ['GET', 'http://user@[::1]:8080/users/42?x=1#top', '/users/:id'],
    ['GET', 'ftp://host/users/42', '/users/:id'],
    ['GET', '/users/42#top', '/users/:id'],
    ['GET', '//users/42', undefined],
    ['OPTIONS', '*', undefined],
    ['GET', '/orders', undefined],
    ['DELETE', '/any', '/any'],
    ['GET', '/api/items/7', '/api/items/:item'],
    ['GET', '/api/v2/status', '/api/v2/status'],
    ['GET', '/api/v2/other', undefined],
    ['GET', '/t/acme/report', '/t/acme/report'],
    ['GET', '/regex/anything', undefined],
    ['GET', '/users/42/friends', '/users/:id/friends'],
    ['GET', '/deep/loop/loop/loop/loop/loop/loop/loop/loop/loop/x', undefined],
    ['GET', '/nope', undefined],
  ])('%s %s -> %s', (method, url, route) => {
    expect(expressRouteAhead({ app: service, method, url })).toBe(route);
  });

  it('should walk from the app root with the original URL when the middleware is mounted (req.url trimmed)', () => {
    const request = { app: service, method: 'GET', url: '/items/7', originalUrl: '/api/items/7' };
    expect(expressRouteAhead(request)).toBe('/api/items/:item');
  });

  it('should answer undefined, never throw, for a request with no app, a strange app or a path Express cannot decode', () => {
    const strange = {
      router: {
        stack: [
          {
            match: () => {
              throw new URIError('bad');
            },
          },
        ],
      },
    };
    for (const request of [
      {},
      { app: {} },
      { app: null },
      { app: strange, url: '/x' },
      { app: service, url: '/users/%E0%A4%A' },
    ])
      expect(expressRouteAhead(request as never)).toBeUndefined();
  });
});
