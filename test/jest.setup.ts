// The example apps log one line per call at `info`; tests that read logs set their own level or
// destination. Set LOG_LEVEL to see the apps' lines while the tests run.
process.env.LOG_LEVEL ??= 'silent';
