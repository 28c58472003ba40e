"""Contribution pages, one module per screen group: the counter (`counter`), statements and
receipts (`statements`), SSO 1-10 file uploads (`upload`), the back office's verification and
reimbursements (`verify`), arrears (`arrears`) and voluntary contributions (`voluntary`)."""
