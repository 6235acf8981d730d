"""Workspace viewsets, one module per resource group; routes in `consultant/urls.py`."""
