// Preloaded into an appliance process (NODE_OPTIONS=--import) by tests that need time to
// pass, e.g. a retention purge months after a call: the wall clock (Date.now, new Date())
// runs BL_TEST_CLOCK_OFFSET_MS ahead. Timers and performance.now are untouched. Test-only:
// the appliance never reads this variable; the test support passes it to the child it starts.
const offset = Number(process.env.BL_TEST_CLOCK_OFFSET_MS ?? 0);
if (offset) {
  const Real = Date;
  globalThis.Date = new Proxy(Real, {
    construct: (target, args, newTarget) =>
      Reflect.construct(target, args.length === 0 ? [Real.now() + offset] : args, newTarget),
    apply: () => new Real(Real.now() + offset).toString(),
    get: (target, prop, receiver) =>
      prop === 'now' ? () => Real.now() + offset : Reflect.get(target, prop, receiver),
  });
}
