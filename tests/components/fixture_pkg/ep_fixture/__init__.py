"""A throwaway plugin for the Pulumi tests: importable handlers, no runtime needed."""
