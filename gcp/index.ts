/**
 * The bundle's entry (dist/gcp/index.js, deployed with --entry-point=probe). Registered with
 * functions-framework, which dist/gcp/package.json names as the one dependency the platform installs,
 * and exported too, for a framework that looks the target up among the module's exports.
 */
import { http } from '@google-cloud/functions-framework';
import { probe } from './handler.js';

http('probe', probe);

export { probe };
