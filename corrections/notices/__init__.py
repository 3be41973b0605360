"""Published corrections (notices) and the policies they follow."""
