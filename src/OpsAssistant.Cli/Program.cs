using System.CommandLine;

var root = new RootCommand("OpsAssistant: root-cause analysis of distributed traces.");
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
