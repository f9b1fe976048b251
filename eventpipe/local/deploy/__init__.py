"""Deploying the program into the emulator.

The project's own ``__main__.py`` runs under Pulumi mocks (:mod:`.program`) whose resource
hook (:mod:`.mocks`) creates each resource in the embedded moto server through one
materializer per resource type (:mod:`.materializers`), answers provider function calls
(:mod:`.provider_calls`), and keeps what it created as deployment records
(:mod:`.records`); :func:`.deployer.deploy` ties them together.
"""
