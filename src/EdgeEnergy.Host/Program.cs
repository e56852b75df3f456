using EdgeEnergy.Host.Cli;

// The whole program is its command line: `run` (the default) hosts the service, the rest are one-shot tools.
return await EdgeEnergyCli.RunAsync(args);
