import assert from "node:assert/strict";
import { formatDuration, Progress } from "../../tasks/lib/progress.ts";

/** A Progress wired to a fake clock (ms) and an in-memory writer. */
function harness(total: number, isTty: boolean, label = "train") {
  const out: string[] = [];
  const clock = { t: 0 };
  const p = new Progress({ total, label, isTty, write: (s) => out.push(s), now: () => clock.t });
  return { p, out, clock };
}

Deno.test("formatDuration", () => {
  assert.deepEqual(formatDuration(0), "0:00");
  assert.deepEqual(formatDuration(42), "0:42");
  assert.deepEqual(formatDuration(59.4), "0:59");
  assert.deepEqual(formatDuration(59.6), "1:00");
  assert.deepEqual(formatDuration(62), "1:02");
  assert.deepEqual(formatDuration(3599), "59:59");
  assert.deepEqual(formatDuration(3600), "1:00:00");
  assert.deepEqual(formatDuration(3723), "1:02:03");
  assert.deepEqual(formatDuration(36000 + 61), "10:01:01");
  assert.deepEqual(formatDuration(-5), "0:00");
  assert.deepEqual(formatDuration(NaN), "--:--");
  assert.deepEqual(formatDuration(Infinity), "--:--");
});

Deno.test("Progress non-TTY: one line per 10%, rate and ETA, final line from finish", () => {
  const { p, out, clock } = harness(1000, false);
  // 50 it/s: iteration i completes at t = 20*i ms.
  for (let i = 1; i <= 1000; i++) {
    clock.t = 20 * i;
    p.update(i);
  }
  p.finish("loss 0.25");
  assert.deepEqual(out, [
    "train [##..................] 10% 100/1000 50.0 it/s ETA 0:18\n",
    "train [####................] 20% 200/1000 50.0 it/s ETA 0:16\n",
    "train [######..............] 30% 300/1000 50.0 it/s ETA 0:14\n",
    "train [########............] 40% 400/1000 50.0 it/s ETA 0:12\n",
    "train [##########..........] 50% 500/1000 50.0 it/s ETA 0:10\n",
    "train [############........] 60% 600/1000 50.0 it/s ETA 0:08\n",
    "train [##############......] 70% 700/1000 50.0 it/s ETA 0:06\n",
    "train [################....] 80% 800/1000 50.0 it/s ETA 0:04\n",
    "train [##################..] 90% 900/1000 50.0 it/s ETA 0:02\n",
    "train [####################] 100% 1000/1000 50.0 it/s done in 0:20 loss 0.25\n",
  ]);
  // finish is idempotent and later updates are ignored.
  p.finish();
  p.update(1000);
  assert.deepEqual(out.length, 10);
});

Deno.test("Progress non-TTY: skipped deciles print once; extra text; hour-long ETA", () => {
  const { p, out, clock } = harness(100, false, "fit");
  clock.t = 60_000;
  p.update(5); // 5%: below the first 10% step, nothing printed
  assert.deepEqual(out, []);
  clock.t = 600_000; // 10 iterations in 10 minutes -> 1/60 it/s, 90 left -> 1.5 h
  p.update(10, "loss 1.5");
  assert.deepEqual(out, ["fit [##..................] 10% 10/100 0.02 it/s ETA 1:30:00 loss 1.5\n"]);
  clock.t = 1_200_000;
  p.update(10); // still 10%: nothing new
  assert.deepEqual(out.length, 1);
  clock.t = 2_100_000; // 35 in 35 min = 1/60 it/s; 65 left -> 65 min
  p.update(35); // jumps from 10% to 35%: a single line
  assert.deepEqual(out.length, 2);
  assert.deepEqual(out[1], "fit [#######.............] 35% 35/100 0.02 it/s ETA 1:05:00\n");
  clock.t = 2_400_000;
  p.update(39); // 39%: still the 30% step
  assert.deepEqual(out.length, 2);
});

Deno.test("Progress non-TTY: early finish reports the last count", () => {
  const { p, out, clock } = harness(200, false, "es");
  clock.t = 1000;
  p.update(50);
  clock.t = 4000;
  p.finish("early stop");
  assert.deepEqual(out, [
    "es [#####...............] 25% 50/200 50.0 it/s ETA 0:03\n",
    "es [#####...............] 25% 50/200 12.5 it/s done in 0:04 early stop\n",
  ]);
});

Deno.test("Progress TTY: redraws in place at most every 200 ms", () => {
  const { p, out, clock } = harness(40000, true, "t");
  const CLR = "\r\x1b[2K";
  clock.t = 0;
  p.update(0); // first update always draws (no elapsed time yet: no rate)
  clock.t = 100;
  p.update(100); // throttled
  clock.t = 250;
  p.update(250);
  clock.t = 300;
  p.update(300); // throttled (50 ms since last draw)
  clock.t = 450;
  p.update(16800, "x");
  clock.t = 500;
  p.finish();
  assert.deepEqual(out, [
    CLR + "t [....................] 0% 0/40000 ? it/s ETA --:--",
    CLR + "t [....................] 0% 250/40000 1000 it/s ETA 0:40",
    CLR + "t [########............] 42% 16800/40000 37333 it/s ETA 0:01 x",
    CLR + "t [########............] 42% 16800/40000 33600 it/s done in 0:01\n",
  ]);
});

Deno.test("Progress: total 0 counts as complete", () => {
  const { p, out, clock } = harness(0, false, "z");
  clock.t = 1000;
  p.update(0);
  p.finish();
  assert.deepEqual(out, ["z [####################] 100% 0/0 0.00 it/s done in 0:01\n"]);
});

Deno.test("Progress non-TTY: coarse loop prints each new step, 100% only from finish", () => {
  const { p, out, clock } = harness(3, false, "c");
  for (let i = 1; i <= 3; i++) {
    clock.t = 1000 * i;
    p.update(i);
  }
  assert.equal(out.length, 2);
  clock.t = 3500;
  p.finish();
  assert.deepEqual(out, [
    "c [######..............] 33% 1/3 1.00 it/s ETA 0:02\n",
    "c [#############.......] 66% 2/3 1.00 it/s ETA 0:01\n",
    "c [####################] 100% 3/3 0.86 it/s done in 0:04\n",
  ]);
});

Deno.test("Progress resumed at 450/1000: no lines for deciles passed before, rate counts new steps only", () => {
  const out: string[] = [];
  const clock = { t: 0 };
  const p = new Progress({
    total: 1000,
    label: "train",
    isTty: false,
    write: (s) => out.push(s),
    now: () => clock.t,
    initial: 450,
  });
  clock.t = 3000;
  p.update(600); // 150 new steps in 3 s: 50 it/s, 400 left
  assert.deepEqual(out, ["train [############........] 60% 600/1000 50.0 it/s ETA 0:08\n"]);
});
