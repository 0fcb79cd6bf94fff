// WebApplicationFactory<Program> finds a minimal-hosting app's host through a process-wide DiagnosticListener, so hosts
// started at the same moment by parallel test classes can be captured by the wrong factory (seen as "Addresses cannot be
// modified after the server has started" and ObjectDisposedException at start). Classes run one at a time; tests stay fast.
[assembly: Xunit.v3.Parallelization(Mode = Xunit.Sdk.ParallelMode.None)]
