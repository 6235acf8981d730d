# Production image: slim Python, non-root, gunicorn. Settings come from the environment (README).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN groupadd --system hotline && useradd --system --gid hotline --home /app hotline

# Exactly the pins of requirements.txt, every file's hash checked (`make lock` writes it).
COPY requirements.txt ./
RUN pip install --require-hashes --no-deps -r requirements.txt

COPY . .
RUN DEBUG=1 python manage.py collectstatic --noinput \
    && mkdir -p /app/media && chown -R hotline:hotline /app/media

USER hotline
EXPOSE 8000
ENV MEDIA_ROOT=/app/media
# No access log: gunicorn's would print query strings; the app logs each request (README, "Metrics and logs").
# 5 sync workers behind the buffering proxy: what the bench measured best on 2 cores (docs/decisions.md, README "Performance").
CMD ["gunicorn", "hotline.wsgi:application", "--bind", "0.0.0.0:8000", "--worker-class", "sync", "--workers", "5", "--timeout", "60"]
