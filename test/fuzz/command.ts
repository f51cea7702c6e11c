// The base of the model-based tests' commands (fast-check's fc.commands): every command runs whatever
// the model says (failures are checked too), then the lists are compared.
import type fc from 'fast-check';

export abstract class ModelCommand<Model extends object, Real> implements fc.AsyncCommand<Model, Real, false> {
  check(): boolean {
    return true;
  }
  abstract run(model: Model, real: Real): Promise<void>;
  abstract toString(): string;
}
