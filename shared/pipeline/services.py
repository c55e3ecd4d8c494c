"""The pipeline's use cases: submit, control (cancel / pause / resume) and advance a job.

    submit_job   job document (pending) + task graph, then JobCreated on "jobs"
    advance      the orchestrator's step (orchestration.py)
    cancel_job / pause_job / resume_job   the owner's controls (another user's job is NotFound)

Every job status change is also announced on "job-events" (job_events.py). Ports come in as a
``PipelineServices`` bundle (``bootstrap(settings)`` builds the real one), so an entry point is
three lines: bootstrap, decode, call.
"""

from __future__ import annotations

import logging
from datetime import datetime

from pydantic import ValidationError

from shared.errors import Conflict, IdempotencyKeyReused, InvalidRequest, TransientError
from shared.jobs import Cancel, EnginePreference, Job, JobEvent, Pause, Resume, new_job
from shared.music.brief import read_brief
from shared.pipeline import taskgraph as tg
from shared.pipeline.job_events import announce, apply_and_announce
from shared.pipeline.made_tracks import MusicOptions, VoiceOptions
from shared.pipeline.messages import JobControl, JobCreated
from shared.pipeline.orchestration import JobMessageT, advance
from shared.pipeline.ports import PipelineServices
from shared.ports import EventBus, JobStore
from shared.scripts.brief import ScriptBrief
from shared.settings import Settings
from shared.timeline.beats import snap_cuts
from shared.timeline.model import Timeline
from shared.topology import JOBS
from shared.voice.catalog import check_voice_id

log = logging.getLogger(__name__)

__all__ = [
    "JobMessageT",
    "PipelineServices",
    "advance",
    "bootstrap",
    "cancel_job",
    "pause_job",
    "resume_job",
    "submit_job",
]


def on_the_beat(timeline: Timeline, music: MusicOptions | None) -> Timeline:
    """The photos' cuts on the music's beats where the job asks: an uploaded track's ``bpm``, or
    the tempo the made music will be asked at (the same brief the music task reads)."""
    if timeline.music is not None:
        bpm = timeline.music.bpm if timeline.music.snap_cuts else None
    else:
        bpm = read_brief(music.prompt).bpm if music and music.snap_cuts else None
    if bpm is None:
        return timeline
    try:
        return snap_cuts(timeline, bpm)
    except ValidationError as e:
        reason = e.errors()[0]["msg"]
        raise InvalidRequest(f"the cuts cannot all move onto the beat: {reason}") from None


def submit_job(
    *,
    uid: str,
    brand_name: str,
    timeline: Timeline,
    engine: EnginePreference,
    job_id: str,
    jobs: JobStore,
    pipelines: tg.PipelineStore,
    bus: EventBus,
    settings: Settings,
    now: datetime,
    script: str | None = None,
    brief: ScriptBrief | None = None,
    voice: VoiceOptions | None = None,
    music: MusicOptions | None = None,
    request_hash: str | None = None,
) -> Job:
    """Create the job (pending) and its task graph, then tell the orchestrator.

    Idempotent per ``job_id``: a retried submission by the same user returns the job it made
    (and re-sends JobCreated, which the orchestrator treats as a no-op if it already ran); the
    same id from another user is a Conflict, and from the same user with another ``request_hash``
    (a different body) IdempotencyKeyReused. ``script`` is the brief's voiceover text: with no
    voice file on the timeline, the pipeline makes the voice from it (and captions, when asked
    for, are timed to that voice: without either, InvalidRequest). ``voice`` and ``music`` are
    for the tracks the pipeline makes (an unknown voice id is InvalidRequest). ``brief``
    asks the script chain to write the voiceover first; with a ``script`` too, InvalidRequest.
    """
    check_voice_id(voice.voice_id if voice else None)
    if script and brief:
        raise InvalidRequest(
            "send either a script (to be spoken as written) or a brief (to have one written), "
            "not both"
        )
    spoken = bool(script) or brief is not None
    if timeline.captions and timeline.captions.enabled and timeline.voice is None and not spoken:
        raise InvalidRequest(
            "captions: need a voice track with a script, or a script or brief to make the "
            "voice from"
        )
    timeline = on_the_beat(timeline, music)
    job = new_job(
        job_id, uid, now, brand_name=brand_name, engine=engine,
        timeline=timeline.model_dump(mode="json"), step="Queued", request_hash=request_hash,
    )  # fmt: skip
    try:
        jobs.create(job)
        announce(bus, settings, job, None)
    except Conflict:
        job = jobs.get(job_id)
        if job.uid != uid:
            raise
        if job.request_hash != request_hash:
            raise IdempotencyKeyReused(
                "this idempotency_key was already used for a different request; "
                "send a new key for a new job"
            ) from None
    pipelines.create(
        tg.plan(
            job_id,
            uid,
            timeline,
            now,
            engine=engine,
            script=script,
            brief=brief,
            voice=voice,
            music=music,
            fanout=tg.FanOut(settings.longform_after_ms, settings.segment_ms),
        )  # fmt: skip
    )
    bus.publish(settings.topic(JOBS), JobCreated(job_id=job_id))
    pipelines.change(job_id, lambda p: tg.announced(p, now))
    log.info("job submitted", extra={"job_id": job_id, "engine": engine.value})
    return job


def _control(
    action: str, event: JobEvent, *, job_id: str, uid: str, jobs: JobStore, bus: EventBus,
    settings: Settings,
) -> Job:  # fmt: skip
    jobs.get_for_user(job_id, uid)  # NotFound for another user's job
    try:
        job = apply_and_announce(jobs, bus, settings, job_id, event)
    except TransientError as exc:  # the store's words name documents; a person needs what to do
        raise TransientError(f"the job is busy right now; {action} it again in a moment") from exc
    bus.publish(settings.topic(JOBS), JobControl(job_id=job_id, action=action))
    return job


def cancel_job(
    *, job_id: str, uid: str, jobs: JobStore, bus: EventBus, settings: Settings, now: datetime
) -> Job:
    """Cancel a live job; its worker stops FFmpeg within two seconds and leaves no output."""
    return _control("cancel", Cancel(), job_id=job_id, uid=uid, jobs=jobs, bus=bus,
                    settings=settings)  # fmt: skip


def pause_job(
    *, job_id: str, uid: str, jobs: JobStore, bus: EventBus, settings: Settings, now: datetime
) -> Job:
    """Pause a processing job: its running task is stopped and handed back (done tasks stay)."""
    return _control("pause", Pause(), job_id=job_id, uid=uid, jobs=jobs, bus=bus,
                    settings=settings)  # fmt: skip


def resume_job(
    *, job_id: str, uid: str, jobs: JobStore, bus: EventBus, settings: Settings, now: datetime
) -> Job:
    """Resume a paused job: the orchestrator re-queues the handed-back task as a new attempt."""
    return _control("resume", Resume(), job_id=job_id, uid=uid, jobs=jobs, bus=bus,
                    settings=settings)  # fmt: skip


def bootstrap(settings: Settings | None = None) -> PipelineServices:
    """The real ports (Firestore, Pub/Sub, GCS), built from ``settings`` or the environment."""
    from shared.pipeline.bootstrap import build  # Google clients only where they are used

    return build(settings or Settings.from_env())
