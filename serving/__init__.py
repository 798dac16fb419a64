"""FastAPI scoring service, explanations and dashboard. Imports `features`, never `training`."""
