import { Chatter } from "@mail/chatter/web_portal/chatter";
import { patch } from "@web/core/utils/patch";

/**
 * Issue #17: marking an activity of an enrolment done logs a follow-up; reload the form
 * then, so that the "Follow-ups" button counts it without a page reload.
 */
patch(Chatter.prototype, {
    onActivityChanged(thread) {
        super.onActivityChanged(...arguments);
        if (this.props.webRecord?.resModel === "training.enrollment") {
            this.reloadParentView();
        }
    },
});
