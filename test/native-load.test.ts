import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadNative } from '../src/engine/native.js';

test('the native compute core loads and reports its version', () => {
  const addon = loadNative();
  assert.match(String(addon.version()), /^\d+\.\d+\.\d+$/);
});
