"""Free contraceptives from self-service points (免费避孕药具): pickup codes, what cabinets
ask, the stock ledger, staff tasks and queries, residents' feedback and monthly reports."""
