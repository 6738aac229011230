"""Birth registration (生育登记): the rules, the resident's application, documents, the
office's review and deadlines, decisions told to the resident, certificates and reports."""
