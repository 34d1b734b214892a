# The portal's image: slim, non-root, static files collected at build time.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PORTAL_VAR_DIR=/app/var \
    DJANGO_DEBUG=0
WORKDIR /app

COPY requirements.txt .
RUN pip install --require-hashes -r requirements.txt

COPY . .
# collectstatic needs settings, not secrets: a throwaway key for this one command.
RUN DJANGO_SECRET_KEY=build-only-collectstatic-key python manage.py collectstatic --noinput \
    && useradd --create-home --uid 10001 portal \
    && mkdir -p /app/var \
    && chown -R portal /app/var
USER portal

EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=3)"
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
