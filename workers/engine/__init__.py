"""The fusion engine: reads, rewrites, fuses and signs Android apps.

Nothing in this package imports Django, so the same code runs in a Celery worker, in the
``fusebox`` command-line tool and in the benchmarks.
"""
