"""Small reusable widgets: number fields, finding rows, source tooltips, the regimen card."""
