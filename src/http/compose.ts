// Runs several middleware steps as one Express layer. Express's router pays a match and a dispatch
// per layer, and the mock's own steps run on every request (docs/performance.md has the numbers).
import type { NextFunction, Request, RequestHandler, Response } from 'express';

type Step = (req: Request, res: Response, next: NextFunction) => unknown;

/** One handler that runs `steps` in order, as a router would: an error or a rejection skips to the error middleware. */
export function compose(steps: Step[]): RequestHandler {
  return (req, res, next) => {
    let i = 0;
    const step = (err?: unknown): void => {
      if (err !== undefined && err !== null) return next(err);
      const handler = steps[i++];
      if (!handler) return next();
      try {
        const result = handler(req, res, step);
        if (result instanceof Promise) result.catch(next);
      } catch (thrown) {
        next(thrown);
      }
    };
    step();
  };
}
