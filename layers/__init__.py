"""Reading the outside world (GIS files, buildings, land use) into the twin's form."""
