import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLI, withTestEnv } from './helpers/env.js';
import { waitFor, withDaemon } from './helpers/processes.js';

/** Niceness of each thread of a process, by thread id (/proc/<pid>/task/<tid>/stat, field 19). */
function threadNiceness(pid: number): Map<number, number> {
  const niceness = new Map<number, number>();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    niceness.set(Number(tid), Number(fields[16]));
  }
  return niceness;
}

describe.skipIf(process.platform !== 'linux')('thread priorities', () => {
  it('run the threads that write and chunk below the event loop and the search threads', async () => {
    await withTestEnv(async (t) => {
      await withDaemon(t, ['--set', 'search.threads=2'], {}, async (client, daemon) => {
        await client.index([{ source: '/p/1', text: 'priority check' }]);
        expect((await client.search('priority')).results).toHaveLength(1);
        const niceness = threadNiceness(daemon.pid);
        // The event loop (the main thread, whose id is the pid) keeps the default.
        expect(niceness.get(daemon.pid)).toBe(0);
        const background = [...niceness.values()].filter((n) => n === 5);
        // The writer and the chunker at least; V8's and libuv's own threads and the search threads stay at 0.
        expect(background.length).toBeGreaterThanOrEqual(2);
        expect([...niceness.values()].filter((n) => n === 0).length).toBeGreaterThanOrEqual(3);
      });
    });
  });

  it('runs `dindex index` below the searches it shares the machine with', async () => {
    await withTestEnv(async (t) => {
      await withDaemon(t, [], {}, async (client) => {
        // Reading stdin keeps the CLI running until the input ends.
        const cli = spawn(process.execPath, [CLI, 'index', '-', '--source', 'piped'], { env: t.env, stdio: ['pipe', 'ignore', 'ignore'] });
        const exited = new Promise((resolve) => cli.on('exit', resolve));
        cli.stdin.write('niceness of the importing process ');
        await waitFor(() => threadNiceness(cli.pid!).get(cli.pid!) === 5, 10_000, 'the CLI at niceness 5');
        cli.stdin.end('checked');
        expect(await exited).toBe(0);
        expect((await client.search('niceness')).results).toHaveLength(1);
      });
    });
  });
});
