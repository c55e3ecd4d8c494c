"""Local HTTP servers that speak the AI vendors' wire protocols, scripted per test."""
