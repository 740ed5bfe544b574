// Test only, preloaded with `node --import`: makes this process report process.platform ===
// 'win32' (and so os.platform()), to check on Linux what the CLI does on a Windows controller
// before it starts anything. Node's own modules chose their platform code at startup (path stays
// POSIX), so this is only good for the CLI's early checks, not for running it for real.
//
// One exception: the Temporal SDK's native-module loader still sees the real platform, as it
// would load its own Windows build on Windows (asked "win32" here, it would try to load a
// Windows DLL on Linux and fail where real Windows would not).
const real = process.platform;
Object.defineProperty(process, 'platform', {
  enumerable: true,
  get() {
    const stack = new Error().stack ?? '';
    return stack.includes('@temporalio/core-bridge') ? real : 'win32';
  },
});
