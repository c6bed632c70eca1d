// The cron trigger's share of the mirror (every minute, with the jobs' re-drive): a sync of each upstream
// with `sync` entries every `syncMinutes`, and a deletion recheck whenever mirrored versions are due.
import type { Env } from "../env";
import { database } from "../db/client";
import { findJob } from "../jobs/jobs";
import { mirrorUpstreams, isOffline } from "./upstreams";
import { MIRROR_SYNC_JOB, startSync, syncDue } from "./sync-job";
import { startRecheckIfDue } from "./recheck-job";

export async function scheduleMirror(env: Env, now = Date.now()): Promise<void> {
  let upstreams;
  try {
    upstreams = mirrorUpstreams(env);
  } catch (error) {
    console.log(JSON.stringify({ mirrorMisconfigured: error instanceof Error ? error.message : String(error) }));
    return;
  }
  const db = database(env.DB);
  for (const upstream of upstreams) {
    if (isOffline(env, upstream)) continue;
    try {
      if (syncDue(upstream, await findJob(db, MIRROR_SYNC_JOB, upstream.id), now)) {
        const attempt = await startSync(env, upstream, "cron");
        console.log(JSON.stringify({ mirrorSyncStarted: { upstream: upstream.id, attempt } }));
      }
      if (await startRecheckIfDue(env, upstream, now)) console.log(JSON.stringify({ mirrorRecheckStarted: { upstream: upstream.id } }));
    } catch (error) {
      console.log(JSON.stringify({ mirrorScheduleFailed: { upstream: upstream.id, error: error instanceof Error ? error.message : String(error) } }));
    }
  }
}
