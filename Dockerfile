FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    libharfbuzz-subset0 fonts-dejavu-core gettext \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
RUN pip install --upgrade pip && pip install -e .
COPY . .
RUN DJANGO_SECRET_KEY=build-only python manage.py compilemessages -v 0 \
 && DJANGO_SECRET_KEY=build-only python manage.py collectstatic --no-input -v 0
RUN useradd --create-home regiolab && mkdir -p /app/private && chown regiolab /app/private
USER regiolab
EXPOSE 8000
CMD ["gunicorn", "regiolab.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4"]
