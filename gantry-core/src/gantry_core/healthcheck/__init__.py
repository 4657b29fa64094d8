"""The health-check proxy behind the Status page and the Health card (F59), with its SSRF guard."""
