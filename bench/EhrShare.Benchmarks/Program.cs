using BenchmarkDotNet.Running;

// Runs the micro-benchmarks: `dotnet run -c Release --project bench/EhrShare.Benchmarks -- --filter '*'`.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
