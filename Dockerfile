# Fusebox production image: the console (gunicorn), the Celery worker and beat share it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    FUSEBOX_VAR_DIR=/var/lib/fusebox \
    MEDIA_ROOT=/var/lib/fusebox/media \
    STATIC_ROOT=/app/staticfiles

# Android build tools and a JDK: the worker checks, fuses and signs APKs with them.
RUN apt-get update \
    && apt-get install -y --no-install-recommends apksigner zipalign aapt libsmali-java \
       dexdump android-framework-res openjdk-17-jre-headless openssl libharfbuzz-subset0 \
       poppler-utils \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY console ./console
COPY vault ./vault
COPY trust ./trust
COPY fusionsets ./fusionsets
COPY builds ./builds
COPY certified ./certified
COPY workers ./workers
COPY templates ./templates
COPY static ./static
COPY manage.py ./
RUN pip install --no-cache-dir -c constraints.txt . \
    && FUSEBOX_DEBUG=false SECRET_KEY=image-build-only-collectstatic \
       python manage.py collectstatic --noinput

RUN useradd --system --uid 1000 --home-dir /var/lib/fusebox fusebox \
    && mkdir -p /var/lib/fusebox/media \
    && chown -R fusebox /var/lib/fusebox
USER fusebox

EXPOSE 8000
CMD ["gunicorn", "console.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--timeout", "120", "--access-logfile", "-"]
