/**
 * zod/mini ships without a locale (its messages would all read "Invalid input"); the contracts use
 * the same English messages classic zod gives. Imported for this side effect only, which
 * package.json's `sideEffects` declares so the bundler keeps it.
 */
import { config } from 'zod/mini';
import { en } from 'zod/locales';

config(en());
