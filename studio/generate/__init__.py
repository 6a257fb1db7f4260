"""Generation: every paid AI job of the studio.

    jobs.py     requests for visual jobs (guards, the hold and the job row in one transaction), cancel, retry
    worker.py   what a Celery worker does with a job (claim, run, store, capture or release) and the sweeper
    drafts.py   text drafts streamed to the page (hold, stream, capture or release)
    prompts.py  every prompt builder: text canon and instructions, character and moodboard image prompts
"""
