# Production image: slim Python, non-root, gunicorn. Settings come from the environment (README).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN groupadd --system hotline && useradd --system --gid hotline --home /app hotline

COPY pyproject.toml ./
RUN pip install --upgrade pip && pip install .

COPY . .
RUN DEBUG=1 python manage.py collectstatic --noinput \
    && mkdir -p /app/media && chown -R hotline:hotline /app/media

USER hotline
EXPOSE 8000
ENV MEDIA_ROOT=/app/media
CMD ["gunicorn", "hotline.wsgi:application", "--bind", "0.0.0.0:8000", "--worker-class", "gthread", "--workers", "2", "--threads", "8", "--timeout", "60", "--access-logfile", "-"]
