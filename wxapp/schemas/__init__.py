"""Request and response shapes that more than one transport speaks (the mini-program API, the
staff API, the cabinets) and that demo seeding loads through. They sit below every transport so
that no transport imports another; a shape only one transport uses stays with that transport."""
