/**
 * A dispatcher in a process of its own, for the crash test (test/delivery/crash.test.ts): the test
 * SIGKILLs it mid-delivery. Settings come as JSON in DELIVERY_SETTINGS; the database in DATABASE_URL.
 */
import { createPool } from '../../db/pool';
import { Dispatcher } from '../../delivery/dispatcher';

const pool = createPool(process.env.DATABASE_URL!, { max: 2 });
const dispatcher = new Dispatcher({ pool, settings: JSON.parse(process.env.DELIVERY_SETTINGS ?? '{}') });
dispatcher.start();
process.stdout.write('dispatching\n');
