"""Operations: the only code that changes data (reference data, imports). Callers commit."""
