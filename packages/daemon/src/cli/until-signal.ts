/** A promise that resolves on the first SIGINT or SIGTERM, and a way to stop listening. */
export function untilSignal(): { received: Promise<NodeJS.Signals>; dispose(): void } {
  let dispose = () => {};
  const received = new Promise<NodeJS.Signals>((resolve) => {
    const onInt = () => done('SIGINT');
    const onTerm = () => done('SIGTERM');
    const done = (s: NodeJS.Signals) => {
      dispose();
      resolve(s);
    };
    dispose = () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    };
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
  return { received, dispose: () => dispose() };
}
