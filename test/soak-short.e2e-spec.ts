import { claimRedisDb, LoadParams, setupScenario, sleep, StaffCrew, ViewerCrowd } from '../bench/soak-load';
import { ADMIN, bootApp, engines, TestApp } from './utils/app';
import { redisReachable, TEST_REDIS_URL } from './utils/redis';

/**
 * The short version of `npm run soak` (bench/soak.ts): the same load code (bench/soak-load.ts) against the real app,
 * 150 viewers (+5 coming and going) and 6 staff for 12 s — viewers ask and upvote, moderators approve/reject, leaders
 * highlight and answer, clerks move applications through their states while each applicant follows its receipt on
 * `/window` and rates it, board screens receive `board:update` — on one instance, and on two behind Redis.
 * Every answer must reach every viewer exactly once, every status change its applicant, with no error of any kind.
 */
const VIEWERS = 150;
const LOAD_MS = 12_000;
const PARAMS: LoadParams = { askEveryS: 15, upvoteEveryS: 8, answerEveryS: 2, approveShare: 0.5, clerkEveryS: 1, churnStayS: 4 };
const staff = { moderators: 2, leaders: 2, clerks: 2 };

async function soak(apps: TestApp[]) {
  const urls = apps.map((a) => a.url);
  const scenario = await setupScenario(urls[0], ADMIN, staff, 'short');
  const crowd = new ViewerCrowd(urls, scenario.sessionId, 'short-viewer', 0, VIEWERS, 5, PARAMS);
  const crew = new StaffCrew(urls, scenario, PARAMS, 4);
  try {
    await crew.connect();
    await crowd.connect(50);
    crowd.start();
    crew.start();
    await sleep(LOAD_MS);
    await crowd.stop();
    await crew.stop();
    const answered = (await crew.result()).answered.map((a) => a.qid);
    await crowd.waitDelivered(answered, 10_000);
    await crew.waitStatuses(10_000);
    return { viewers: crowd.result(answered), staff: await crew.result() };
  } finally {
    crowd.close();
    crew.close();
  }
}

function expectClean(r: Awaited<ReturnType<typeof soak>>, apps: TestApp[]) {
  const { viewers: v, staff: s } = r;
  // no failed ack, ack timeout, unexpected disconnect, connect error or unexpected HTTP status anywhere
  expect({ viewers: v.errors, staff: s.errors }).toEqual({ viewers: { counts: {}, samples: [] }, staff: { counts: {}, samples: [] } });
  for (const a of apps) expect(a.logs.filter((l) => /"level":"(error|fatal)"/.test(l))).toEqual([]);
  // viewers asked and upvoted, staff moderated and answered
  expect(v.asks).toBeGreaterThan(20);
  expect(v.upvotes).toBeGreaterThan(20);
  expect(s.moderated.approved).toBeGreaterThan(3);
  expect(s.moderated.approved + s.moderated.rejected).toBeGreaterThan(15);
  expect(s.answered.length).toBeGreaterThanOrEqual(3);
  // every answer reached every viewer, once
  expect(v.viewers).toBe(VIEWERS);
  expect(v.missing).toBe(0);
  expect(v.duplicates).toBe(0);
  expect(v.deliveries).toBe(s.answered.length * VIEWERS);
  expect(v.latencies).toHaveLength(v.deliveries);
  expect(v.churnJoins).toBeGreaterThan(0);
  // the window: applications taken and moved on, each applicant saw each of its changes, the board followed
  expect(s.applications.created).toBeGreaterThanOrEqual(3);
  expect(s.applications.transitions).toBeGreaterThanOrEqual(3);
  expect(s.statusMissing).toBe(0);
  expect(s.statusLatencies).toHaveLength(s.applications.transitions);
  expect(s.board.updates).toBeGreaterThan(0);
  if (s.board.sameDay) expect(s.board.finalAccepted).toBe(s.applications.created);
}

describe.each(engines())('short soak (%s)', (engine) => {
  it('one instance: 150 viewers and 6 staff for 12 s, every answer to every viewer, no error', async () => {
    const a = await bootApp(engine);
    try {
      expectClean(await soak([a]), [a]);
    } finally {
      await a.close();
    }
  });

  it('two instances behind Redis: the same, viewers and staff split over both', async () => {
    const why = await redisReachable();
    if (why) {
      if (process.env.CI === 'true') throw new Error(`Redis is required in CI but ${TEST_REDIS_URL} does not answer: ${why}`);
      process.stdout.write(`\n[soak-short] two-instance part skipped: Redis not reachable at ${TEST_REDIS_URL} (${why}).\n`);
      return;
    }
    const redis = await claimRedisDb(TEST_REDIS_URL);
    let a: TestApp | undefined;
    let b: TestApp | undefined;
    try {
      a = await bootApp(engine, { env: { REDIS_URL: redis.url } });
      b = await bootApp(engine, { databaseUrl: a.cfg.databaseUrl, env: { REDIS_URL: redis.url } });
      expectClean(await soak([a, b]), [a, b]);
    } finally {
      await b?.close();
      await a?.close();
      await redis.release();
    }
  });
});
