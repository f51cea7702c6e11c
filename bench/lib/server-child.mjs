// Child-process host for one server under test, so the load generator (the parent) and the server
// each own an event loop and a core. Protocol over IPC: {start: kind, spec} → {url, info?};
// {cpuStart} → {cpuStarted}; {cpuEnd} → {cpuUs} (this process's CPU time since cpuStart); {stop} → {stopped}.
import { startServer } from './servers.mjs';

let server;
let cpuAt;
process.on('message', async (msg) => {
  try {
    if (msg.cpuStart) {
      cpuAt = process.cpuUsage();
      process.send({ cpuStarted: true });
    } else if (msg.cpuEnd) {
      const d = process.cpuUsage(cpuAt);
      process.send({ cpuUs: d.user + d.system });
    } else if (msg.start) {
      server = await startServer(msg.start, msg.spec);
      process.send({ url: server.url, info: server.info });
    } else if (msg.stop) {
      await server?.stop();
      server = undefined;
      process.send({ stopped: true }, () => process.disconnect());
    }
  } catch (err) {
    process.send({ error: String(err?.stack ?? err) });
  }
});
// The parent went away (crash, Ctrl-C): do not linger holding a port.
process.on('disconnect', () => process.exit(0));
