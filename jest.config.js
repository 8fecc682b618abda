/** Unit specs beside the code (src/**\/*.spec.ts), e2e suites in test/ (*.e2e-spec.ts), unit specs of the test helpers in test/ (*.spec.ts). */
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts', '<rootDir>/test/**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  globalSetup: '<rootDir>/test/utils/global-setup.ts',
  reporters: ['default', '<rootDir>/test/utils/summary-reporter.js'],
  testTimeout: 120000,
  maxWorkers: 2,
};
