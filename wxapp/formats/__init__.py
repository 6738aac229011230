"""File formats the service writes, below every capability: spreadsheets (CSV and XLSX with
charts) and the Chinese font PDFs embed."""
