# Copy to instance/config.py and adjust. Environment variables COUNSEL_<NAME> override
# anything here (values are parsed as JSON when they can be, e.g. COUNSEL_IDLE_TIMEOUT_MINUTES=30).

# ENV_NAME = "production"
# SECRET_KEY = "at least 32 random characters"
# BASE_URL = "https://counsel.example.org"   # required in production; links are built from it
# TRUSTED_HOSTS = ["counsel.example.org"]     # production default: BASE_URL's host
# TRUSTED_PROXIES = 1                         # reverse proxies in front (nginx: 1)
# DATABASE_URL = "postgresql+psycopg://counsel@127.0.0.1:5432/counsel"
# PRACTICE_NAME = "Riverside Counselling"
# PRACTICE_TIMEZONE = "Europe/London"
# IDLE_TIMEOUT_MINUTES = 15
# ABSOLUTE_TIMEOUT_HOURS = 12
# RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379/0"   # required with more than one worker
