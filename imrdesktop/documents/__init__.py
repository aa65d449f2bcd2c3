"""Documents layer: importing PDFs and images safely as exhibits. No Qt."""
