/** The tool's version, kept equal to package.json's by a test (bundles cannot read package.json). */
export const VERSION = '0.1.0';
