"""Pure business rules (no I/O except reading the packaged LPP catalogue, no Textual, no DB).

nir (NIR + BeneficiaryKey), birthdate (lunar-date strings), money (integer cents), lpp (catalogue),
tarification ("Détail remboursements"), renewal, prescription, findings, lint (pre-flight checks).
"""
