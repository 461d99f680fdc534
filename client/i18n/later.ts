// Imported first by every lazily loaded module that says something
// (client/i18n/en-later.ts): its English words join the catalogue before that
// module's first t(). Other languages' files have them already.
import { enLater } from './en-later.ts';
import { addEnglish } from './languages.ts';

addEnglish(enLater);
