"""XLSX exports of the money pages (pvd.xlsx layout): one module per part of the app."""
