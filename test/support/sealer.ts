import {
  newEncryptionConfig,
  parseEncryptionConfig,
} from '../../federation/store/encryption/encryption-config.js';
import { EncryptionConfigSealer } from '../../federation/store/encryption/sealer.js';

/** The product's sealer over a fresh EncryptionConfiguration (or the one given, as YAML). */
export function testSealer(encryptionConfigYaml: string = newEncryptionConfig()): EncryptionConfigSealer {
  return new EncryptionConfigSealer(parseEncryptionConfig(encryptionConfigYaml));
}
