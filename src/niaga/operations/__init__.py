"""Operations features that act on the domains: outgoing event webhooks (`events`, `notify`), alerts to the
owner (`alerts`), personal-data duties (`privacy`), their API (`routes`), CLI (`cli`) and jobs (`tasks`).

They sit above the domains in the layers. `niaga.ops` is the infrastructure below everything (logging,
metrics, backups, the settings file, the operations tables), so the two never form a cycle."""
